-- Least-privilege roles (crates/app/README-roles.md). Three NOLOGIN group roles;
-- a deployment creates login users that are members of one of them:
--   strata_owner     owns the schemas and everything in them: migrations run as it
--   strata_app       the API: reads and writes app, reads master, and in auth only
--                    what registration, login, sessions and phone checks need
--   strata_readonly  the studio and reporting: reads master, app and the public
--                    columns of auth.user; writes nothing
-- Roles are cluster-wide while grants are per database, so many databases of one
-- cluster share these roles. This file needs a superuser (without one, see the
-- README's note on managed services).

-- Create the roles unless another database's migration did, and take the first
-- dependency on each at once: that locks the role until this transaction commits,
-- so a concurrent down in another database cannot drop it between our check and
-- our grants. A concurrent creator (duplicate_object, or unique_violation when both
-- inserted at once) or dropper (undefined_object) means: look again.
DO $$
BEGIN
    FOR attempt IN 1..20 LOOP
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'strata_owner') THEN
                CREATE ROLE strata_owner NOLOGIN;
            END IF;
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'strata_app') THEN
                CREATE ROLE strata_app NOLOGIN;
            END IF;
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'strata_readonly') THEN
                CREATE ROLE strata_readonly NOLOGIN;
            END IF;
            ALTER SCHEMA auth OWNER TO strata_owner;
            GRANT USAGE ON SCHEMA auth TO strata_app, strata_readonly;
            RETURN;
        EXCEPTION WHEN duplicate_object OR unique_violation OR undefined_object THEN
            NULL;
        END;
    END LOOP;
    RAISE EXCEPTION 'could not create the roles strata_owner, strata_app and strata_readonly: other sessions keep creating and dropping them';
END
$$;

-- strata_owner owns what the earlier migrations created, so later migrations can
-- run as it rather than as a superuser, and the SECURITY DEFINER functions below
-- run with a table owner's rights only. Indexes and row types follow their tables.
ALTER SCHEMA master OWNER TO strata_owner;
ALTER SCHEMA app OWNER TO strata_owner;
ALTER TABLE auth."user" OWNER TO strata_owner;
ALTER TABLE auth.session OWNER TO strata_owner;
ALTER TABLE auth.phone_verifications OWNER TO strata_owner;
ALTER FUNCTION auth.touch_updated_at() OWNER TO strata_owner;
ALTER TABLE master.categories OWNER TO strata_owner;
ALTER TABLE master.locations OWNER TO strata_owner;
ALTER FUNCTION master.check_location_parent() OWNER TO strata_owner;
ALTER TABLE app.items OWNER TO strata_owner;
ALTER FUNCTION app.touch_updated_at() OWNER TO strata_owner;

GRANT USAGE ON SCHEMA master TO strata_app, strata_readonly;
GRANT USAGE ON SCHEMA app TO strata_app, strata_readonly;

-- master: reference data, read by everyone, changed only by migrations and seeds.
GRANT SELECT ON master.categories, master.locations TO strata_app, strata_readonly;

-- app: the API reads and writes rows (no TRUNCATE, TRIGGER or REFERENCES).
GRANT SELECT, INSERT, UPDATE, DELETE ON app.items TO strata_app;
GRANT SELECT ON app.items TO strata_readonly;

-- auth: column by column, so a column added later stays hidden until a migration
-- grants it. The API reads whole accounts (login checks password_hash), creates
-- them, and changes only what login and phone verification change.
GRANT SELECT (id, email, password_hash, display_name, phone, phone_verified_at, created_at, updated_at, last_login_at),
      INSERT (email, password_hash, display_name),
      UPDATE (last_login_at, phone, phone_verified_at)
    ON auth."user" TO strata_app;
-- Reporting sees accounts without their password hashes.
GRANT SELECT (id, email, display_name, phone, phone_verified_at, created_at, updated_at, last_login_at)
    ON auth."user" TO strata_readonly;

-- Sessions: the API writes a token hash but never reads one back; looking a session
-- up by its hash, and revoking it, go through the functions below. DELETE (with
-- user_id and expires_at readable) clears a user's expired sessions at login.
GRANT SELECT (id, user_id, created_at, expires_at),
      INSERT (user_id, token_hash, expires_at)
    ON auth.session TO strata_app;
GRANT DELETE ON auth.session TO strata_app;

-- Phone codes: the same for code_hash; auth.check_phone_code compares and counts.
-- DELETE discards a verification whose code could not be sent.
GRANT SELECT (id, user_id, phone, attempts, created_at, expires_at, verified_at),
      INSERT (id, user_id, phone, code_hash, expires_at)
    ON auth.phone_verifications TO strata_app;
GRANT DELETE ON auth.phone_verifications TO strata_app;

-- The user of an unexpired session, by the SHA-256 of its cookie token. Owned by
-- strata_owner and run with its rights (SECURITY DEFINER), so the caller needs no
-- right to read token hashes; an empty search_path and qualified names keep a
-- caller's objects out of it. (Not named session_user: that is a SQL keyword.)
CREATE OR REPLACE FUNCTION auth.session_user_id(token_hash bytea) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT s.user_id FROM auth.session AS s WHERE s.token_hash = $1 AND s.expires_at > pg_catalog.now()
$$;

-- Ends the session with this token hash (logout); whether there was one.
CREATE OR REPLACE FUNCTION auth.revoke_session(token_hash bytea) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = '' AS $$
    WITH gone AS (DELETE FROM auth.session AS s WHERE s.token_hash = $1 RETURNING 1)
    SELECT EXISTS (SELECT FROM gone)
$$;

-- One guess at a phone verification code, decided and counted here so the caller
-- never reads code_hash. `candidate` is the hash the application computed from the
-- row's id and the code typed. outcome: 'verified' (now used up), 'wrong_code'
-- (counted; attempts says how many so far), 'expired', 'too_many_attempts' (no more
-- guesses counted or compared) or 'not_pending' (no such row, or already used).
-- A plain `=` is fine: timing could only reveal bytes of a salted hash.
CREATE OR REPLACE FUNCTION auth.check_phone_code(
    verification_id uuid,
    candidate bytea,
    max_attempts integer,
    OUT outcome text,
    OUT attempts integer
)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    v auth.phone_verifications%ROWTYPE;
BEGIN
    SELECT * INTO v FROM auth.phone_verifications AS pv WHERE pv.id = verification_id FOR UPDATE;
    IF NOT FOUND OR v.verified_at IS NOT NULL THEN
        outcome := 'not_pending';
        RETURN;
    END IF;
    attempts := v.attempts;
    IF v.expires_at <= pg_catalog.now() THEN
        outcome := 'expired';
    ELSIF v.attempts >= max_attempts THEN
        outcome := 'too_many_attempts';
    ELSIF v.code_hash = candidate THEN
        UPDATE auth.phone_verifications AS pv SET verified_at = pg_catalog.now() WHERE pv.id = verification_id;
        outcome := 'verified';
    ELSE
        UPDATE auth.phone_verifications AS pv SET attempts = pv.attempts + 1 WHERE pv.id = verification_id
            RETURNING pv.attempts INTO attempts;
        outcome := 'wrong_code';
    END IF;
END;
$$;

ALTER FUNCTION auth.session_user_id(bytea) OWNER TO strata_owner;
ALTER FUNCTION auth.revoke_session(bytea) OWNER TO strata_owner;
ALTER FUNCTION auth.check_phone_code(uuid, bytea, integer) OWNER TO strata_owner;
-- Functions are executable by PUBLIC by default; these only by the API.
REVOKE ALL ON FUNCTION auth.session_user_id(bytea), auth.revoke_session(bytea),
    auth.check_phone_code(uuid, bytea, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.session_user_id(bytea), auth.revoke_session(bytea),
    auth.check_phone_code(uuid, bytea, integer) TO strata_app;

-- Tables and sequences that later migrations create in app and master get the same
-- grants: those created by strata_owner (how migrations run in a deployment) and
-- those created by the role running this file (a development superuser). auth gets
-- none on purpose: every right there is granted by hand, column by column.
ALTER DEFAULT PRIVILEGES FOR ROLE strata_owner IN SCHEMA app
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO strata_app;
ALTER DEFAULT PRIVILEGES FOR ROLE strata_owner IN SCHEMA app
    GRANT SELECT ON TABLES TO strata_readonly;
ALTER DEFAULT PRIVILEGES FOR ROLE strata_owner IN SCHEMA app
    GRANT USAGE, SELECT ON SEQUENCES TO strata_app;
ALTER DEFAULT PRIVILEGES FOR ROLE strata_owner IN SCHEMA master
    GRANT SELECT ON TABLES TO strata_app, strata_readonly;
ALTER DEFAULT PRIVILEGES IN SCHEMA app
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO strata_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA app
    GRANT SELECT ON TABLES TO strata_readonly;
ALTER DEFAULT PRIVILEGES IN SCHEMA app
    GRANT USAGE, SELECT ON SEQUENCES TO strata_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA master
    GRANT SELECT ON TABLES TO strata_app, strata_readonly;
