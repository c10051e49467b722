--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;

CREATE SCHEMA IF NOT EXISTS app;
CREATE TABLE app.items (id integer NOT NULL, name text, price numeric);

--
-- Data for Name: items; Type: TABLE DATA; Schema: app; Owner: -
--

COPY app.items (id, name, price) FROM stdin;
1	Widget; large	9.99
2	It's "quoted"	\N
3	E'not; an escape'	1
\.


--
-- PostgreSQL database dump complete
--
SELECT * FROM app.items ORDER BY id;
