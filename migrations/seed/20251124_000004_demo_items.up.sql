-- 60 demo items, enough to page through at the default page size: spread over the demo
-- users, the leaf categories and the cities, every seventh one inactive. Ids and
-- timestamps are derived from n, so the rows are the same on every run.
INSERT INTO app.items (id, user_id, category_id, location_id, name, description, price_cents, is_active, created_at, updated_at)
SELECT
    ('40000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid,
    (ARRAY[
        '10000000-0000-4000-8000-000000000001',
        '10000000-0000-4000-8000-000000000002',
        '10000000-0000-4000-8000-000000000003'
    ]::uuid[])[1 + n % 3],
    (ARRAY[
        '20000000-0000-4000-8000-000000000011',
        '20000000-0000-4000-8000-000000000012',
        '20000000-0000-4000-8000-000000000013',
        '20000000-0000-4000-8000-000000000021',
        '20000000-0000-4000-8000-000000000022',
        '20000000-0000-4000-8000-000000000031',
        '20000000-0000-4000-8000-000000000032',
        '20000000-0000-4000-8000-000000000004'
    ]::uuid[])[1 + n % 8],
    (ARRAY[
        '30000000-0000-4000-8000-000000000111',
        '30000000-0000-4000-8000-000000000121',
        '30000000-0000-4000-8000-000000000122',
        '30000000-0000-4000-8000-000000000211',
        '30000000-0000-4000-8000-000000000311',
        '30000000-0000-4000-8000-000000000312',
        '30000000-0000-4000-8000-000000000321'
    ]::uuid[])[1 + n % 7],
    (ARRAY['Used', 'Vintage', 'Almost new', 'Refurbished', 'Handmade'])[1 + n % 5]
        || ' '
        || (ARRAY['phone', 'laptop', 'speaker', 'armchair', 'kettle', 'road bike', 'tent', 'novel'])[1 + n % 8]
        || ' #' || n,
    'Demo listing number ' || n || '. Pick-up only.',
    (n * 1250)::bigint,
    n % 7 <> 0,
    timestamptz '2025-11-24 12:00:00+00' - n * interval '37 minutes',
    timestamptz '2025-11-24 12:00:00+00' - n * interval '37 minutes'
FROM generate_series(1, 60) AS n
ON CONFLICT DO NOTHING;
