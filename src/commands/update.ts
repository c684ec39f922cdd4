// `create-pio-docker update [DIR]`: the merge logic lives in src/update; this is the CLI's entry.
// Exit 0 merged cleanly (or up to date), 1 conflicts written (or --check: out of date), 2 input error.
export { updateCommand, type UpdateOptions } from '../update/update.js';
