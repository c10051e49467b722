-- Removes the demo accounts by id (an account someone registered with the same email has
-- another id and stays). Their sessions and items go with them (ON DELETE CASCADE).
DELETE FROM auth."user"
WHERE id IN (
    '10000000-0000-4000-8000-000000000001',
    '10000000-0000-4000-8000-000000000002',
    '10000000-0000-4000-8000-000000000003'
);
