// The public API of @cs/tenants: the tenant config file and its lookups.
export {
  tenantSchema,
  tenantsFileSchema,
  MIN_API_KEY_LENGTH,
  type Tenant,
  type TenantConfig,
  type TenantsFile,
} from './tenant-config.js';
export {
  loadTenants,
  parseTenants,
  tenantsFilePath,
  DEFAULT_TENANTS_FILE,
  type TenantDirectory,
  type TenantsErrorCode,
} from './load-tenants.js';
