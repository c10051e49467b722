-- Exactly the ids the up file derives from n.
DELETE FROM app.items
WHERE id IN (
    SELECT ('40000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid
    FROM generate_series(1, 60) AS n
);
