//! Which PostgreSQL login the studio runs as, and whether that login can reach
//! past the database: run programs or read files on the server, signal other
//! backends, or ignore row security. The console's rights are the login's rights
//! (a `READ ONLY` transaction does not stop a superuser's `COPY ... TO PROGRAM`,
//! and `SET ROLE` on a superuser login is undone by `set_config('role', ...)`),
//! so on such a login the console is disabled unless the studio was started with
//! `--unsafe-superuser-console`.

use sqlx::PgConnection;

/// Predefined roles whose members reach the server's files, programs or other
/// sessions, whatever role they `SET ROLE` to.
const HOST_ROLES: [&str; 5] = [
    "pg_execute_server_program",
    "pg_read_server_files",
    "pg_write_server_files",
    "pg_signal_backend",
    "pg_checkpoint",
];

/// Writes every table whatever its grants; a risk only for a read-only studio.
const WRITE_ALL_ROLE: &str = "pg_write_all_data";

/// The login of a connection and what makes it unsafe for the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// `session_user`: the login the connection authenticated as.
    pub login: String,
    /// `current_user`: the role queries run as (differs after `SET ROLE`).
    pub role: String,
    /// Why this login is no boundary ("superuser", "member of pg_read_server_files"...);
    /// empty for a safe login.
    pub risks: Vec<String>,
}

impl Login {
    /// "login strata_studio_ro", or "login postgres as role strata_readonly".
    pub fn label(&self) -> String {
        if self.login == self.role {
            format!("login {}", self.login)
        } else {
            format!("login {} as role {}", self.login, self.role)
        }
    }

    /// Why the console must not run on this login, or `None`. `unsafe_console`
    /// (the loud flag) lets it run anyway.
    pub fn console_refusal(&self, unsafe_console: bool) -> Option<String> {
        if self.risks.is_empty() || unsafe_console {
            return None;
        }
        let role_note = if self.login != self.role {
            format!(" (SET ROLE {} is no boundary: a statement can switch back)", self.role)
        } else {
            String::new()
        };
        Some(format!(
            "the SQL console is disabled: the studio's login {} is {}{role_note}, so a console statement could \
             reach past the database (run programs or read files on the server, stop other sessions). Connect the \
             studio as a login without those rights (README: Security model), or start it with \
             --unsafe-superuser-console",
            self.login,
            self.risks.join(", ")
        ))
    }
}

/// The connection's login and its risks; `write` says whether writing every
/// table (`pg_write_all_data`) is expected.
pub async fn inspect(conn: &mut PgConnection, write: bool) -> Result<Login, sqlx::Error> {
    let mut roles: Vec<&str> = HOST_ROLES.to_vec();
    if !write {
        roles.push(WRITE_ALL_ROLE);
    }
    let (login, role, superuser, bypassrls, createrole, members): (String, String, bool, bool, bool, Vec<String>) =
        sqlx::query_as(
            "SELECT session_user::text, current_user::text, r.rolsuper, r.rolbypassrls, r.rolcreaterole,
                    ARRAY(SELECT g.rolname::text FROM pg_catalog.pg_roles AS g
                          WHERE g.rolname = ANY($1) AND pg_catalog.pg_has_role(session_user, g.oid, 'MEMBER')
                          ORDER BY g.rolname)
             FROM pg_catalog.pg_roles AS r WHERE r.rolname = session_user",
        )
        .bind(&roles)
        .fetch_one(conn)
        .await?;
    let mut risks = Vec::new();
    if superuser {
        // A superuser is a member of every role; listing them adds nothing.
        risks.push("a superuser".to_owned());
    } else {
        if bypassrls {
            risks.push("BYPASSRLS".to_owned());
        }
        if createrole {
            // Before PostgreSQL 16, CREATEROLE may grant itself any predefined role.
            risks.push("CREATEROLE".to_owned());
        }
        risks.extend(members.into_iter().map(|m| format!("a member of {m}")));
    }
    Ok(Login { login, role, risks })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(login: &str, role: &str, risks: &[&str]) -> Login {
        Login { login: login.into(), role: role.into(), risks: risks.iter().map(|r| r.to_string()).collect() }
    }

    #[test]
    fn labels_name_the_login_and_the_role() {
        assert_eq!(login("ro", "ro", &[]).label(), "login ro");
        assert_eq!(login("postgres", "strata_readonly", &[]).label(), "login postgres as role strata_readonly");
    }

    #[test]
    fn risky_logins_disable_the_console_unless_the_loud_flag_is_given() {
        assert_eq!(login("ro", "ro", &[]).console_refusal(false), None);
        let su = login("postgres", "strata_readonly", &["a superuser"]);
        let why = su.console_refusal(false).unwrap();
        assert!(why.contains("login postgres is a superuser"), "{why}");
        assert!(why.contains("SET ROLE strata_readonly is no boundary"), "{why}");
        assert!(why.contains("--unsafe-superuser-console"), "{why}");
        assert_eq!(su.console_refusal(true), None);
    }
}
