CREATE SCHEMA IF NOT EXISTS "we;ird";
CREATE TABLE "we;ird"."ta""ble;" ("co;l" int);
INSERT INTO "we;ird"."ta""ble;" VALUES (1);
SELECT "co;l" AS "--not a comment" FROM "we;ird"."ta""ble;";
