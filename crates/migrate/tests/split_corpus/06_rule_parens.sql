CREATE SCHEMA IF NOT EXISTS app;
CREATE TABLE app.src (id int);
CREATE TABLE app.log (id int, what text);
CREATE RULE src_log AS ON INSERT TO app.src DO ALSO (
    INSERT INTO app.log VALUES (NEW.id, 'one;');
    INSERT INTO app.log VALUES (NEW.id, 'two')
);
INSERT INTO app.src VALUES (1);
SELECT (SELECT count(*) FROM app.log) = 2;
