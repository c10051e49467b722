-- Login sessions. Only the SHA-256 of the cookie's token is stored, so a leaked copy
-- of this table cannot be replayed as cookies. Logging out deletes the row.
CREATE TABLE IF NOT EXISTS auth.session (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id    uuid        NOT NULL,
    token_hash bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    CONSTRAINT session_pkey PRIMARY KEY (id),
    CONSTRAINT session_token_hash_key UNIQUE (token_hash),
    CONSTRAINT session_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth."user" (id) ON DELETE CASCADE,
    CONSTRAINT session_token_hash_check CHECK (octet_length(token_hash) = 32)
);

-- Serves the cascade from auth.user and the clean-up of a user's expired sessions.
CREATE INDEX IF NOT EXISTS session_user_id_idx ON auth.session (user_id);
