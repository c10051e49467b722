-- Accounts. The application stores the email normalised (trimmed, lower case), so a
-- plain unique constraint keeps one account per address. (No CHECK on lower(email):
-- PostgreSQL's and Rust's Unicode case mappings differ for a few characters.) `phone` holds a number only
-- once it has been verified through auth.phone_verifications.
CREATE TABLE IF NOT EXISTS auth."user" (
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    email             text        NOT NULL,
    password_hash     text        NOT NULL,
    display_name      text        NOT NULL,
    phone             text,
    phone_verified_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_pkey PRIMARY KEY (id),
    CONSTRAINT user_email_key UNIQUE (email),
    CONSTRAINT user_phone_key UNIQUE (phone),
    CONSTRAINT user_email_check CHECK (char_length(email) BETWEEN 3 AND 254),
    CONSTRAINT user_display_name_check CHECK (char_length(display_name) BETWEEN 1 AND 100),
    CONSTRAINT user_phone_check CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    CONSTRAINT user_phone_verified_check CHECK ((phone IS NULL) = (phone_verified_at IS NULL))
);

-- Each schema owns its trigger function, so a dump of one schema restores on its own.
CREATE OR REPLACE FUNCTION auth.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.created_at := OLD.created_at;
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS user_touch_updated_at ON auth."user";
CREATE TRIGGER user_touch_updated_at
    BEFORE UPDATE ON auth."user"
    FOR EACH ROW EXECUTE FUNCTION auth.touch_updated_at();
