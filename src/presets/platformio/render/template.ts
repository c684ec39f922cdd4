// PlatformIO's own templates (src/presets/platformio/templates/); shq for the values they quote.
import { renderPresetTemplate } from '../../../capabilities/template.js';
import { platformioFlags } from '../flags.js';

export { mdCell, shq, shqAssign } from '../../../capabilities/template.js';

/** Renders PlatformIO's template NAME.ejs with the context as `c`. */
export function renderTemplate(name: string, c: object): string {
  return renderPresetTemplate(platformioFlags.id, name, c);
}
