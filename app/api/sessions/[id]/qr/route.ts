import { otherMethods, route } from '@/lib/api/route';
import { getSessionQr as contract } from '@/lib/api/operations/sessions';
import { getQr } from '@/lib/phones/service';

export const dynamic = 'force-dynamic';

// The QR links a phone to this console: only callers that may pair (admins) get it.
export const GET = route(contract, ({ params }) => getQr(params.id));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
