-- Puts back the first demo seed's hashes (argon2's defaults) where this seed's are
-- still in place.
UPDATE auth."user"
SET password_hash = '$argon2id$v=19$m=19456,t=2,p=1$HkAozeXDPcCtTIvbJ5YyUw$PbxThO7Rov2Jo4WomyrC5bnsL0RjN/gaTnIvYVC4isY'
WHERE id IN (
    '10000000-0000-4000-8000-000000000001',
    '10000000-0000-4000-8000-000000000002',
    '10000000-0000-4000-8000-000000000003'
)
AND password_hash = '$argon2id$v=19$m=7168,t=5,p=1$nqYiGajzTNG4ivJng6WZ1g$uAZpHfvZk2g1nDwzfraTsQgMvwGnn1ZmMXe/E/Mzljo';
