import { otherMethods, route } from '@/lib/api/route';
import { openApiDocument, publicServerUrl } from '@/lib/api/openapi';
import { getConfig } from '@/lib/config';
import { getOpenApiDocument } from '@/lib/api/operations/monitoring';

export const dynamic = 'force-dynamic';

export const GET = route(getOpenApiDocument, async () => openApiDocument(publicServerUrl(getConfig())));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
