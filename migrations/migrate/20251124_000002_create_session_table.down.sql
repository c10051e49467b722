DROP TABLE IF EXISTS auth.session;
