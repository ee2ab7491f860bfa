// What every route plugin is given: the services, the configuration and the public link builder.
import type { AppServices } from '../../app/services.js';
import type { Config } from '../../config/config.js';
import type { Links } from '../envelope.js';

export interface RouteDeps {
  services: AppServices;
  config: Config;
  links: Links;
}
