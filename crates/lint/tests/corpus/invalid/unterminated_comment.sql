/* unterminated comment
select 1;
