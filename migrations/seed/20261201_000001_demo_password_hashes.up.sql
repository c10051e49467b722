-- The demo accounts' password hashes with the application's current parameters:
-- argon2id m=7168 KiB, t=5, p=1 (strata_app's PARAMS), same password `strata-demo`.
-- The first demo seed stored argon2's defaults (m=19456 KiB, t=2), which need 19 MiB
-- per login; a hash made today needs 7 MiB. Only a hash still equal to the one that
-- seed wrote is replaced: a demo account whose password was changed keeps it.
UPDATE auth."user"
SET password_hash = '$argon2id$v=19$m=7168,t=5,p=1$nqYiGajzTNG4ivJng6WZ1g$uAZpHfvZk2g1nDwzfraTsQgMvwGnn1ZmMXe/E/Mzljo'
WHERE id IN (
    '10000000-0000-4000-8000-000000000001',
    '10000000-0000-4000-8000-000000000002',
    '10000000-0000-4000-8000-000000000003'
)
AND password_hash = '$argon2id$v=19$m=19456,t=2,p=1$HkAozeXDPcCtTIvbJ5YyUw$PbxThO7Rov2Jo4WomyrC5bnsL0RjN/gaTnIvYVC4isY';
