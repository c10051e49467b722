-- The codes recently sent to a number, for any account: the per-number limit of
-- POST /api/auth/phone/start counts them on every request.
CREATE INDEX IF NOT EXISTS phone_verifications_phone_created_at_idx
    ON auth.phone_verifications (phone, created_at DESC);
