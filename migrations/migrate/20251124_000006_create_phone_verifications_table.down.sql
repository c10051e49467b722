DROP TABLE IF EXISTS auth.phone_verifications;
