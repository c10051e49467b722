-- One-time codes sent to confirm a user's phone number. Only a salted SHA-256 of the
-- code is stored; `attempts` counts wrong guesses against the limit, and a row is used
-- up once `verified_at` is set. Only the newest row for a user and number counts.
CREATE TABLE IF NOT EXISTS auth.phone_verifications (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id     uuid        NOT NULL,
    phone       text        NOT NULL,
    code_hash   bytea       NOT NULL,
    attempts    integer     NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    verified_at timestamptz,
    CONSTRAINT phone_verifications_pkey PRIMARY KEY (id),
    CONSTRAINT phone_verifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth."user" (id) ON DELETE CASCADE,
    CONSTRAINT phone_verifications_phone_check CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    CONSTRAINT phone_verifications_code_hash_check CHECK (octet_length(code_hash) = 32),
    CONSTRAINT phone_verifications_attempts_check CHECK (attempts >= 0)
);

-- The newest verification of a user (resend throttle, lookup on verify).
CREATE INDEX IF NOT EXISTS phone_verifications_user_id_created_at_idx
    ON auth.phone_verifications (user_id, created_at DESC);
