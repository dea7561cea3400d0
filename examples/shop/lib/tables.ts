// Table names shared by several features (the flag settings page, the flag
// evaluation in lib/flags.ts and the admin console).
export const FEATURE_FLAGS_TABLE = 'customer_feature_flags'
export const ORGANIZATION_FLAGS_TABLE = 'organization_feature_flags'
