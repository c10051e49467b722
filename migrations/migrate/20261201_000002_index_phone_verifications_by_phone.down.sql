DROP INDEX IF EXISTS auth.phone_verifications_phone_created_at_idx;
