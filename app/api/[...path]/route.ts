// Unknown /api paths answer JSON 404 instead of the HTML not-found page.
import { json } from '@/lib/api/errors';

const notFound = async () => json({ error: 'No such API endpoint', code: 'not_found' }, 404);

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
