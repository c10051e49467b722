SELECT 'first'
'; a second string on the next line';
SELECT 'a'   -- a comment between the parts
  -- another
'; b' AS x;
SELECT 'x'
/* not a continuation */ ;
