// The messages benchmark's numbers, one definition for the bench and its bare worker: phones
// `<prefix><i, 4 digits>`, each phone's contacts `<prefix><phone, 4 digits><c, 2 digits>`.
export const phoneJid = (prefix: string, i: number) => `${prefix}${String(i).padStart(4, '0')}@s.whatsapp.net`;
export const contactJid = (prefix: string, phone: number, c = 0) => `${prefix}${String(phone).padStart(4, '0')}${String(c).padStart(2, '0')}@s.whatsapp.net`;
