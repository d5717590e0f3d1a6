// JSON bodies: nesting is bounded before parsing (deep JSON is refused, not recursed into), and the
// text is kept to be forwarded as received.
import fp from 'fastify-plugin';
import { HttpProblem } from '@airline/http';
import { jsonDepth } from '../json-depth.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body as received, forwarded unchanged when the policy does not rewrite it. */
    rawBody: string | undefined;
  }
}

export default fp<{ maxJsonDepth: number }>(
  async (app, { maxJsonDepth }) => {
    app.decorateRequest('rawBody', undefined);
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
      const text = body as string;
      if (jsonDepth(text, maxJsonDepth) > maxJsonDepth) {
        return done(new HttpProblem(400, 'Invalid request', `the JSON body nests deeper than ${maxJsonDepth} levels`, 'body'), undefined);
      }
      req.rawBody = text;
      parseJson(req, text, done);
    });
  },
  { name: 'json-body' },
);
