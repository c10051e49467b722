//! `strata db restore` without psql: the file is checked to hold only what
//! pg_dump writes for its schema ([`check`]), then run on one connection in one
//! transaction, COPY data through the COPY protocol ([`run`]).

pub mod check;
pub mod run;
