/** Replace `{{name}}` placeholders from data; unknown placeholders stay visible so a rule bug shows. */
export function formatMessage(template: string, data: Readonly<Record<string, string | number>> | undefined): string {
  if (data === undefined || !template.includes('{{')) return template;
  return template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (whole, key: string) =>
    Object.prototype.hasOwnProperty.call(data, key) ? String(data[key]) : whole);
}
