/* leading; block */ SELECT 1;
/* outer /* nested; */ still; */ SELECT 2;
SELECT 3 /* inner ; */ + 4;
SELECT 5--6; a comment from here
;
SELECT 7 */* a comment after an operator; */ 8;
SELECT 9 -- /* not a block comment
;
