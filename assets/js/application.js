// Starts the GOV.UK Frontend components (menu toggle, character counts, error summary
// focus and so on). Pages work without it: this only improves them.
import { initAll } from "./govuk-frontend.min.js";

initAll();
