-- Undo every grant and ownership change of the up in this database, then drop each
-- role unless something still needs it: login users that are its members, or
-- objects and grants in other databases of the cluster (roles are cluster-wide).
-- Run it as the role that ran the up: ownership returns to the role running this
-- file, and the default privileges removed are those of that role.

DROP FUNCTION IF EXISTS auth.check_phone_code(uuid, bytea, integer);
DROP FUNCTION IF EXISTS auth.revoke_session(bytea);
DROP FUNCTION IF EXISTS auth.session_user_id(bytea);

ALTER DEFAULT PRIVILEGES IN SCHEMA master
    REVOKE SELECT ON TABLES FROM strata_app, strata_readonly;
ALTER DEFAULT PRIVILEGES IN SCHEMA app
    REVOKE USAGE, SELECT ON SEQUENCES FROM strata_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA app
    REVOKE SELECT ON TABLES FROM strata_readonly;
ALTER DEFAULT PRIVILEGES IN SCHEMA app
    REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM strata_app;
ALTER DEFAULT PRIVILEGES FOR ROLE strata_owner IN SCHEMA master
    REVOKE SELECT ON TABLES FROM strata_app, strata_readonly;
ALTER DEFAULT PRIVILEGES FOR ROLE strata_owner IN SCHEMA app
    REVOKE USAGE, SELECT ON SEQUENCES FROM strata_app;
ALTER DEFAULT PRIVILEGES FOR ROLE strata_owner IN SCHEMA app
    REVOKE SELECT ON TABLES FROM strata_readonly;
ALTER DEFAULT PRIVILEGES FOR ROLE strata_owner IN SCHEMA app
    REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM strata_app;

REVOKE DELETE ON auth.phone_verifications FROM strata_app;
REVOKE SELECT (id, user_id, phone, attempts, created_at, expires_at, verified_at),
       INSERT (id, user_id, phone, code_hash, expires_at)
    ON auth.phone_verifications FROM strata_app;
REVOKE DELETE ON auth.session FROM strata_app;
REVOKE SELECT (id, user_id, created_at, expires_at),
       INSERT (user_id, token_hash, expires_at)
    ON auth.session FROM strata_app;
REVOKE SELECT (id, email, display_name, phone, phone_verified_at, created_at, updated_at, last_login_at)
    ON auth."user" FROM strata_readonly;
REVOKE SELECT (id, email, password_hash, display_name, phone, phone_verified_at, created_at, updated_at, last_login_at),
       INSERT (email, password_hash, display_name),
       UPDATE (last_login_at, phone, phone_verified_at)
    ON auth."user" FROM strata_app;

REVOKE SELECT ON app.items FROM strata_readonly;
REVOKE SELECT, INSERT, UPDATE, DELETE ON app.items FROM strata_app;
REVOKE SELECT ON master.categories, master.locations FROM strata_app, strata_readonly;

REVOKE USAGE ON SCHEMA app FROM strata_app, strata_readonly;
REVOKE USAGE ON SCHEMA master FROM strata_app, strata_readonly;
REVOKE USAGE ON SCHEMA auth FROM strata_app, strata_readonly;

ALTER FUNCTION app.touch_updated_at() OWNER TO CURRENT_USER;
ALTER TABLE app.items OWNER TO CURRENT_USER;
ALTER FUNCTION master.check_location_parent() OWNER TO CURRENT_USER;
ALTER TABLE master.locations OWNER TO CURRENT_USER;
ALTER TABLE master.categories OWNER TO CURRENT_USER;
ALTER FUNCTION auth.touch_updated_at() OWNER TO CURRENT_USER;
ALTER TABLE auth.phone_verifications OWNER TO CURRENT_USER;
ALTER TABLE auth.session OWNER TO CURRENT_USER;
ALTER TABLE auth."user" OWNER TO CURRENT_USER;
ALTER SCHEMA app OWNER TO CURRENT_USER;
ALTER SCHEMA master OWNER TO CURRENT_USER;
ALTER SCHEMA auth OWNER TO CURRENT_USER;

-- DROP ROLE fails with dependent_objects_still_exist while any database still uses
-- the role, and with insufficient_privilege for a migrating role that is no
-- superuser (on a managed service, where an administrator made the roles); then
-- the role stays. Dropping in the order the up takes its locks
-- keeps a concurrent up in another database from deadlocking with this.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_auth_members AS m JOIN pg_catalog.pg_roles AS r ON r.oid = m.roleid
               WHERE r.rolname = 'strata_owner') THEN
        RAISE NOTICE 'role strata_owner kept: login users are members of it';
    ELSE
        BEGIN
            DROP ROLE IF EXISTS strata_owner;
        EXCEPTION
            WHEN dependent_objects_still_exist THEN
                RAISE NOTICE 'role strata_owner kept: another database still uses it';
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'role strata_owner kept: this role may not drop it';
        END;
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_auth_members AS m JOIN pg_catalog.pg_roles AS r ON r.oid = m.roleid
               WHERE r.rolname = 'strata_app') THEN
        RAISE NOTICE 'role strata_app kept: login users are members of it';
    ELSE
        BEGIN
            DROP ROLE IF EXISTS strata_app;
        EXCEPTION
            WHEN dependent_objects_still_exist THEN
                RAISE NOTICE 'role strata_app kept: another database still uses it';
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'role strata_app kept: this role may not drop it';
        END;
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_auth_members AS m JOIN pg_catalog.pg_roles AS r ON r.oid = m.roleid
               WHERE r.rolname = 'strata_readonly') THEN
        RAISE NOTICE 'role strata_readonly kept: login users are members of it';
    ELSE
        BEGIN
            DROP ROLE IF EXISTS strata_readonly;
        EXCEPTION
            WHEN dependent_objects_still_exist THEN
                RAISE NOTICE 'role strata_readonly kept: another database still uses it';
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'role strata_readonly kept: this role may not drop it';
        END;
    END IF;
END
$$;
