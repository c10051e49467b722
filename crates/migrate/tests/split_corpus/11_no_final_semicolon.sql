SELECT 1;
SELECT 'last statement'
  -- without a semicolon
