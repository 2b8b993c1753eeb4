NAME = "training"
VERSION = "0.1.0"
DESCRIPTION = "Behaviours ordinary training code relies on (checkpoints, wrapped models' keys, TF32 defaults, AMP spellings, the loop's helpers, seeded data order) that changed or could change between torch releases; all checked on CPU."
TESTED_UP_TO = "2.15.0"
