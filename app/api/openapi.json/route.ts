import { otherMethods, route } from '@/lib/api/route';
import { openApiDocument } from '@/lib/openapi';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read' }, async ({ req }) => openApiDocument(new URL(req.url).origin));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
