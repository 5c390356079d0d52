"""The one stylesheet every app includes (through `common.app_style`): tabs and labels in full at any
width, a phone layout, visible focus, radio groups drawn as buttons, tables that scroll in place."""

APP_STYLE = """
<style>
/* Text: the page's own font everywhere (text areas too), links that look like links. */
.wb-app textarea, .wb-app input, .wb-app select, .wb-app button {
  font-family: var(--jp-ui-font-family, system-ui, sans-serif) !important; font-size: 14px !important; }
.wb-app textarea { line-height: 1.45; }
.wb-app a { color: #005a8c; text-decoration: underline; }
/* Focus that anyone can see: 3 px, dark on white (well over 3:1), on every control. */
.wb-app textarea:focus, .wb-app input:focus, .wb-app select:focus, .wb-app button:focus-visible,
.wb-app a:focus-visible, .wb-app .lm-TabBar-tab:focus-visible, .wb-app [tabindex]:focus-visible,
.wb-choice-option:has(input:focus-visible) {
  outline: 3px solid #1a3d6d !important; outline-offset: 2px !important; }
.wb-app .widget-checkbox input:focus-visible, .wb-choice-option input:focus-visible {
  outline: none !important; }
.wb-app .widget-checkbox label:has(input:focus-visible) { outline: 3px solid #1a3d6d; outline-offset: 2px; }
/* Names for screen readers only: the visible label sits above the control. */
.wb-named > .widget-label { position: absolute !important; width: 1px !important; height: 1px !important;
  overflow: hidden !important; clip: rect(0 0 0 0) !important; white-space: nowrap !important;
  margin: -1px !important; padding: 0 !important; border: 0 !important; }
/* Tabs: titles in full, the tab bar wraps; on a phone the tabs stack as a list of sections. */
.wb-app .lm-TabBar-content { flex-wrap: wrap !important; }
.wb-app .lm-TabBar-tab, .wb-app .p-TabBar-tab { max-width: none !important; min-width: 0 !important;
  flex: 0 1 auto !important; }
.wb-app .lm-TabBar-tab:not(.lm-mod-current) { color: #1a1a1a !important; }
.wb-app .lm-TabBar-tabLabel { overflow: visible !important; text-overflow: clip !important; }
@media (max-width: 640px) {
  .wb-app .widget-tab > .lm-TabBar { height: auto !important; }
  .wb-app .lm-TabBar-content { flex-direction: column !important; align-items: stretch !important; }
  .wb-app .lm-TabBar-tab { flex: 0 0 auto !important; min-height: 0 !important; height: auto !important;
    line-height: 1.35 !important; padding: 9px 12px !important; margin: 0 0 2px 0 !important;
    transform: none !important; border: 1px solid #bbb !important; }
  .wb-app .lm-TabBar-tab.lm-mod-current { border-left: 5px solid #005a8c !important; font-weight: 600; }
  .wb-app .lm-TabBar-tabLabel { white-space: normal !important; }
}
/* Labels and buttons say everything: they wrap instead of ending in "...". */
.wb-app .widget-checkbox { height: auto !important; min-height: var(--jp-widgets-inline-height, 28px); }
.wb-app .widget-checkbox .widget-label-basic { white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; height: auto !important; line-height: 1.35 !important; padding: 4px 0; }
.wb-app .widget-checkbox .widget-label-basic span { white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; }
.wb-app .widget-label { overflow: visible !important; text-overflow: clip !important; }
.wb-app .widget-radio-box label { white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; height: auto !important; line-height: 1.35 !important; }
.wb-app .jupyter-button { height: auto !important; min-height: var(--jp-widgets-inline-height, 28px);
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  line-height: 1.3 !important; padding: 4px 12px !important; }
/* A button whose click carries its form's values (workbook.apps.choices): as wide as its words. Its own
   box (the widget's, which clips what leaves it) keeps room for the focus ring: 3 px and 2 px apart. */
.wb-app .wb-submit-button { width: auto; min-width: 120px; max-width: 100%; }
.wb-app .lm-Widget:has(> .wb-submit-button) { overflow: visible !important; padding: 5px;
  box-sizing: border-box; max-width: 100%; }
/* A row of controls wraps on a narrow screen rather than squeezing its parts. */
.wb-app .widget-hbox { flex-wrap: wrap; column-gap: 12px; }
.wb-app .widget-hbox > .widget-html { min-width: 0; }
.wb-app .widget-dropdown, .wb-app .widget-text, .wb-app .widget-password, .wb-app .widget-datepicker,
.wb-app .widget-textarea, .wb-app .widget-select-multiple { max-width: 100%; }
/* One question, one answer (workbook.apps.choices): options as buttons, one Tab stop. */
.wb-choice-group { border: 0; margin: 2px 0 8px; padding: 0; min-width: 0; }
.wb-choice-question { font-weight: 600; padding: 0; margin: 6px 0 4px; white-space: normal; }
.wb-choice-options { display: flex; flex-wrap: wrap; gap: 6px; }
.wb-choice-option { display: inline-flex; align-items: center; gap: 6px; border: 1px solid #767676;
  border-radius: 4px; padding: 5px 10px; cursor: pointer; background: #fff; color: #1a1a1a;
  line-height: 1.3; }
.wb-choice-option input { accent-color: #005a8c; margin: 0; }
.wb-choice-option.wb-choice-chosen { background: #005a8c; color: #fff; border-color: #005a8c;
  font-weight: 600; }
.wb-choice-option.wb-choice-chosen input { accent-color: #fff; }
@media (max-width: 640px) { .wb-choice-options { flex-direction: column; align-items: stretch; } }
/* Tables scroll inside themselves, their first column staying in view. */
.wb-scroll { overflow-x: auto; max-width: 100%; }
.wb-scroll table th:first-child, .wb-scroll table td:first-child { position: sticky; left: 0; z-index: 1;
  background: #fff; }
.wb-scroll table thead th:first-child, .wb-scroll table tr:first-child th:first-child { background: #f2f2f2; }
.wb-status { padding: 4px 8px; border-radius: 4px; display: inline-block; }
.wb-status-saved { background: #e6f2ea; color: #0b5a2a; }
.wb-status-saving { background: #fff6d6; color: #5c4400; }
.wb-status-error { background: #fde8e8; color: #8a1010; font-weight: bold; }
.wb-error { color: #8a1010; font-weight: bold; }
.wb-field-error { color: #8a1010; font-weight: bold; margin: 2px 0 6px 0; }
.wb-field-error::before { content: "⚠ "; }
.wb-field-info { color: #0b5a2a; margin: 2px 0 6px 0; }
.wb-invalid input, .wb-invalid textarea, input.wb-invalid, textarea.wb-invalid {
  border: 2px solid #8a1010 !important; }
.wb-muted { color: #555; }
.wb-download { color: #005a8c; text-decoration: underline; font-weight: 600; }
.wb-label { font-weight: 600; display: block; margin-top: 6px; }
.wb-goal-card { border-left: 4px solid #0072B2; padding-left: 10px; margin: 8px 0; }
.wb-plan-preview { border: 1px solid #ccc; padding: 0 12px; overflow-x: auto; max-width: 100%;
  box-sizing: border-box; overflow-wrap: anywhere; }
.wb-plan-preview table { border-collapse: collapse; max-width: 100%; }
.wb-plan-preview td, .wb-plan-preview th { border: 1px solid #999; padding: 4px 6px; vertical-align: top; }
.wb-app .widget-html-content { max-width: 100%; overflow-wrap: break-word; }
/* A facilitator's feedback beside what a person shared, and the notice that some is new. */
.wb-fac-feedback, .wb-fac-feedback-alert { border-left: 4px solid #1a3d6d; background: #eef4fa;
  padding: 2px 10px; margin: 8px 0; }
.wb-fac-feedback-body { white-space: pre-wrap; overflow-wrap: anywhere; }
.wb-fac-feedback-badge { background: #1a3d6d; color: #fff; border-radius: 3px; padding: 0 5px; }
@media (max-width: 640px) {
  .wb-app .widget-dropdown, .wb-app .widget-select-multiple { flex-wrap: wrap; height: auto; }
  .wb-app .widget-dropdown > select, .wb-app .widget-select-multiple > select { flex: 1 1 220px;
    min-width: 0; max-width: 100%; }
  .wb-app .widget-html-content { font-size: 15px; }
  body .jp-Cell, body .jp-OutputArea-output { padding-left: 0 !important; padding-right: 0 !important; }
}
</style>
"""

# The manager's apps (lessons, home), on top of APP_STYLE.
MANAGER_STYLE = """
<style>
.wb-item .widget-toggle-button.mod-active, .wb-rating .widget-toggle-button.mod-active {
  background: #0072B2 !important; color: #fff !important; font-weight: 600; }
.wb-activity { border-left: 4px solid #E69F00; padding-left: 12px; margin: 14px 0; }
.wb-activity-kind { margin: 4px 0; color: #5c3d00; }
.wb-check-right { color: #0b5a2a; } .wb-check-wrong { color: #8a1010; }
.wb-feedback { background: #f4f4f4; padding: 2px 10px; border-radius: 4px; }
.wb-example-answer blockquote { border-left: 3px solid #999; margin: 0 0 0 8px; padding-left: 10px; }
.wb-private { font-style: italic; }
.wb-manager-home a, .wb-lesson a { color: #0072B2; text-decoration: underline; }
.wb-lesson-link { font-weight: 600; }
.wb-wave { border-top: 1px solid #ccc; margin-top: 10px; }
.wb-table { border-collapse: collapse; }
.wb-table td, .wb-table th { border: 1px solid #999; padding: 3px 6px; }
</style>
"""
