-- Reference categories: four top-level ones and their subcategories.
INSERT INTO master.categories (id, parent_id, slug, name, sort_order)
VALUES
    ('20000000-0000-4000-8000-000000000001', NULL, 'electronics', 'Electronics', 10),
    ('20000000-0000-4000-8000-000000000002', NULL, 'home-garden', 'Home & Garden', 20),
    ('20000000-0000-4000-8000-000000000003', NULL, 'sports', 'Sports', 30),
    ('20000000-0000-4000-8000-000000000004', NULL, 'books', 'Books', 40)
ON CONFLICT DO NOTHING;

-- Children after their parents: the foreign key is checked per statement.
INSERT INTO master.categories (id, parent_id, slug, name, sort_order)
VALUES
    ('20000000-0000-4000-8000-000000000011', '20000000-0000-4000-8000-000000000001', 'phones', 'Phones', 10),
    ('20000000-0000-4000-8000-000000000012', '20000000-0000-4000-8000-000000000001', 'laptops', 'Laptops', 20),
    ('20000000-0000-4000-8000-000000000013', '20000000-0000-4000-8000-000000000001', 'audio', 'Audio', 30),
    ('20000000-0000-4000-8000-000000000021', '20000000-0000-4000-8000-000000000002', 'furniture', 'Furniture', 10),
    ('20000000-0000-4000-8000-000000000022', '20000000-0000-4000-8000-000000000002', 'kitchen', 'Kitchen', 20),
    ('20000000-0000-4000-8000-000000000031', '20000000-0000-4000-8000-000000000003', 'bicycles', 'Bicycles', 10),
    ('20000000-0000-4000-8000-000000000032', '20000000-0000-4000-8000-000000000003', 'camping', 'Camping', 20)
ON CONFLICT DO NOTHING;
