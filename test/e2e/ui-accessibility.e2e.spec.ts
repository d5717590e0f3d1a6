// Accessibility of the web UI (issue 14, "keep 0 axe-core violations"): axe-core is injected into each
// main page, customer's and staff's, at desktop and phone widths, in Debian's Chromium
// (playwright-core), and finds nothing. The pages hold real data: a scheduled flight with a route, a
// booking with named passengers, a notification.
import { createRequire } from 'node:module';
import { readFileSync, existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { eventually, http } from '@airline/testing';
import { startEmbeddedSystem, FREE_PORTS, type EmbeddedSystem } from '../../runtime/system.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const users = [
  { username: 'ada', password: 'ada-password-1', role: 'customer' as const, customerId: 601 },
  { username: 'staff', password: 'staff-password-1', role: 'admin' as const, customerId: null },
];
const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

let system: EmbeddedSystem;
let browser: Browser;
let bookingId: number;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  const [build, started] = await Promise.allSettled([
    promisify(execFile)(process.execPath, ['ui/scripts/ensure-built.mjs']),
    startEmbeddedSystem({ ports: FREE_PORTS, busPollMs: 50, auth: { users } }),
  ]);
  if (started.status === 'fulfilled') system = started.value;
  if (build.status === 'rejected') throw build.reason;
  if (started.status === 'rejected') throw started.reason;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const day = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const f = await http(system.urls.flight).post('/flights', {
    flightCode: 'KE081',
    origin: 'ICN',
    destination: 'JFK',
    departureTime: `${day}T10:00`,
    arrivalTime: `${day}T11:00`,
    cost: 1_500_000,
    capacity: 9,
  });
  expect(f.status).toBe(201);
  await eventually(
    () => system.services.reservation.db.query('SELECT 1 FROM flight_catalog WHERE flight_id = $1', [f.body.id]),
    (q) => q.rowCount === 1,
  );
  const b = await http(system.urls.reservation).post('/reservations', {
    customerId: 601,
    flightId: f.body.id,
    seatQty: 2,
    passengers: [{ givenName: 'Ada', familyName: 'Lovelace' }],
  });
  expect(b.status).toBe(201);
  bookingId = b.body.id;
  await eventually(
    () => http(system.urls.reservation).get(`/reservations/${bookingId}`),
    (r) => r.body.status === 'CONFIRMED',
  );
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

async function signedIn(username: string, viewport: { width: number; height: number }): Promise<Page> {
  // bypassCSP: the gateway's CSP (script-src 'self') would refuse the injected axe-core, as it should refuse any injected script
  const context = await browser.newContext({ viewport, baseURL: system.urls.gateway, bypassCSP: true });
  const page = await context.newPage();
  const user = users.find((u) => u.username === username)!;
  await page.goto('/');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

/** axe-core's violations on the page as it is now (WCAG 2.x A and AA rules and best practices). */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const found = await page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: { run: (ctx: Document) => Promise<{ violations: Array<{ id: string; nodes: Array<{ target: unknown[] }> }> }> };
      }
    ).axe.run(document);
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  });
  return found;
}

const customerPages = () =>
  [
    ['/', 'Find a flight'],
    ['/my/bookings', 'My bookings'],
    [`/my/bookings/${bookingId}`, 'Booking'],
    ['/my/miles', 'Miles'],
    ['/my/notifications', 'Notifications'],
  ] as const;
const staffPages = [
  ['/', 'Flights'],
  ['/staff/dashboard', 'Dashboard'],
  ['/staff/timeline', 'Saga timeline'],
  ['/staff/dead-letters', 'Dead letters'],
] as const;

describe('axe-core finds nothing', () => {
  for (const [width, viewport] of Object.entries(WIDTHS)) {
    it(`on the customer's pages, ${width}`, async () => {
      const page = await signedIn('ada', viewport);
      for (const [path, heading] of customerPages()) {
        await page.goto(path);
        await page.getByRole('heading', { level: 1, name: new RegExp(heading) }).waitFor();
        await expect.poll(() => page.getByText(/^\s*Loading .*…$/).count(), { timeout: 15_000 }).toBe(0); // the page's data is in
        expect(await violations(page), `${path} at ${width}`).toEqual([]);
      }
      // the booking form open, with its passenger fields
      await page.goto('/');
      await page.getByRole('button', { name: 'Book KE081', exact: true }).click();
      await page.getByLabel('Seats', { exact: true }).fill('2');
      expect(await violations(page), `booking form at ${width}`).toEqual([]);
      await page.context().close();
    });

    it(`on the staff's pages, ${width}`, async () => {
      const page = await signedIn('staff', viewport);
      for (const [path, heading] of staffPages) {
        await page.goto(path);
        await page.getByRole('heading', { level: 1, name: new RegExp(heading) }).waitFor();
        expect(await violations(page), `${path} at ${width}`).toEqual([]);
      }
      await page.context().close();
    });
  }
});

describe('staff register a scheduled flight from the form', () => {
  it('with route, local times and currency; it is listed with its route and departure, and the form says nothing is wrong', async () => {
    const page = await signedIn('staff', WIDTHS.desktop);
    const day = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Flight code').fill('OZ202');
    await page.getByLabel('From (airport code)').fill('icn');
    await page.getByLabel('To (airport code)').fill('lax');
    await page.getByLabel('Departure (local time at the origin)').fill(`${day}T14:30`);
    await page.getByLabel('Arrival (local time at the destination)').fill(`${day}T09:00`);
    await page.getByLabel('Fare per seat').fill('99900');
    await page.getByLabel('Currency').fill('USD');
    await page.getByLabel('Seats (capacity)').fill('20');
    await page.getByRole('button', { name: 'Register flight' }).click();
    const row = page.locator('tr[data-flight-code="OZ202"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('ICN → LAX');
    expect(await row.textContent()).toContain('14:30 (Asia/Seoul)');
    expect(await row.textContent()).toContain('US$999.00');
    const listed = (await http(system.urls.flight).get('/flights?from=ICN&to=LAX')).body;
    expect(listed).toMatchObject([
      { flightCode: 'OZ202', currency: 'USD', cost: 99_900, departure: { local: `${day}T14:30`, timeZone: 'Asia/Seoul' } },
    ]);
    expect(await violations(page), 'staff flights after registering').toEqual([]);
    await page.context().close();
  });
});
