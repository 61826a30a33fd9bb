// Commands beyond the catalog ones, registered here so each lives in its own file.
import { registerCommand } from './main.js';

export { registerCommand };
