-- Demo accounts for development: every one logs in with the password `strata-demo`
-- (strata_app::DEMO_PASSWORD). The hash is argon2id with the application's parameters.
-- Fixed ids and timestamps make the seed reproducible and its down exact.
INSERT INTO auth."user" (id, email, password_hash, display_name, created_at, updated_at)
VALUES
    ('10000000-0000-4000-8000-000000000001', 'alice@example.com',
     '$argon2id$v=19$m=19456,t=2,p=1$HkAozeXDPcCtTIvbJ5YyUw$PbxThO7Rov2Jo4WomyrC5bnsL0RjN/gaTnIvYVC4isY',
     'Alice Demo', '2025-11-01 09:00:00+00', '2025-11-01 09:00:00+00'),
    ('10000000-0000-4000-8000-000000000002', 'bob@example.com',
     '$argon2id$v=19$m=19456,t=2,p=1$HkAozeXDPcCtTIvbJ5YyUw$PbxThO7Rov2Jo4WomyrC5bnsL0RjN/gaTnIvYVC4isY',
     'Bob Demo', '2025-11-02 09:00:00+00', '2025-11-02 09:00:00+00'),
    ('10000000-0000-4000-8000-000000000003', 'carol@example.com',
     '$argon2id$v=19$m=19456,t=2,p=1$HkAozeXDPcCtTIvbJ5YyUw$PbxThO7Rov2Jo4WomyrC5bnsL0RjN/gaTnIvYVC4isY',
     'Carol Demo', '2025-11-03 09:00:00+00', '2025-11-03 09:00:00+00')
ON CONFLICT DO NOTHING;
