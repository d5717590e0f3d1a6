// Pages as on an airline's site (issue 14), in Chromium: the front page's search suggests airports by
// city; staff tables name customers by username and bookings by reference, with dates formatted, and
// the bookings chart's labels are readable on a phone. Any error in the browser console fails.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http } from '@airline/testing';
import { startEmbeddedSystem, FREE_PORTS, type EmbeddedSystem } from '../../runtime/system.js';
import { formatDate } from '@airline/contracts'; // the one date format of pages, notifications and emails

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PHONE = { width: 375, height: 740 };
const DESKTOP = { width: 1280, height: 900 };
const users = [
  { username: 'minji.kim', password: 'minji-password-1', role: 'customer' as const, customerId: 701 },
  { username: 'ops', password: 'ops-password-1', role: 'admin' as const, customerId: null },
];

let system: EmbeddedSystem;
let browser: Browser;
let reference: string;
const contexts: BrowserContext[] = [];
let consoleErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  system = await startEmbeddedSystem({ ports: FREE_PORTS, busPollMs: 50, auth: { users } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const staff = await http(system.urls.gateway).post('/auth/login', { username: 'ops', password: 'ops-password-1' });
  const flight = await http(system.urls.gateway, { authorization: `Bearer ${staff.body.token}` }).post('/flights', {
    flightCode: 'ST101',
    takeoffDate: '2027-03-14',
    cost: 250_000,
    capacity: 5,
  });
  expect(flight.status).toBe(201);
  await eventually(
    () => system.services.reservation.db.query('SELECT 1 FROM flight_catalog WHERE flight_id = $1', [flight.body.id]),
    (q) => q.rowCount === 1,
  );
  const login = await http(system.urls.gateway).post('/auth/login', { username: 'minji.kim', password: 'minji-password-1' });
  const booked = await http(system.urls.gateway, { authorization: `Bearer ${login.body.token}` }).post('/reservations', {
    flightId: flight.body.id,
    seatQty: 2,
  });
  expect(booked.status).toBe(201);
  reference = booked.body.bookingReference;
  await eventually(
    () => http(system.urls.reservation).get(`/reservations/${booked.body.id}`),
    (r) => r.body.status === 'CONFIRMED',
  );
  await eventually(
    () => http(system.urls.dashboard).get(`/flightBoard/${flight.body.id}`),
    (r) => r.body.lastActivity?.reservationId === booked.body.id,
  );
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  const errors = consoleErrors;
  consoleErrors = [];
  expect(errors, 'errors in the browser console').toEqual([]);
});

async function signedIn(username: 'ops' | 'minji.kim', viewport: { width: number; height: number }, path: string): Promise<Page> {
  const context = await browser.newContext({ viewport, baseURL: system.urls.gateway });
  contexts.push(context);
  context.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(users.find((u) => u.username === username)!.password);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.goto(path);
  return page;
}

describe('the staff dashboard', () => {
  it('names customers by username and shows their latest booking date formatted, not a customer id or an ISO date', async () => {
    const page = await signedIn('ops', DESKTOP, '/staff/dashboard');
    const customers = page.locator('table').filter({ hasText: 'Bookings placed' });
    const row = customers.locator('tbody tr').filter({ hasText: 'minji.kim' });
    await row.waitFor({ timeout: 20_000 });
    const today = new Date().toISOString().slice(0, 10);
    const cells = await row.locator('td').allTextContents();
    expect(cells[0]).toBe('minji.kim');
    expect(cells).toContain(formatDate(today));
    expect(await customers.textContent()).not.toContain('701');
    expect(await customers.textContent()).not.toContain(today);
  });

  it('names the latest activity of a flight in words with its booking reference, not a reservation number', async () => {
    const page = await signedIn('ops', DESKTOP, '/staff/dashboard');
    const row = page.locator('tr[data-flight-code="ST101"]');
    await row.getByText(`Seats held · booking ${reference}`).waitFor({ timeout: 20_000 });
    expect(await row.textContent()).not.toMatch(/reservation \d/);
  });

  it('draws the chart’s labels at least 10 px tall on a phone', async () => {
    const page = await signedIn('ops', PHONE, '/staff/dashboard');
    const chart = page.getByRole('img', { name: /Bookings over time/ });
    await chart.waitFor({ timeout: 20_000 });
    const heights = await page.locator('.chart svg text.axis').evaluateAll((labels) => labels.map((t) => t.getBoundingClientRect().height));
    expect(heights.length).toBeGreaterThan(1);
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(10);
    const [svg, figure] = await Promise.all([chart.boundingBox(), page.locator('figure.chart').boundingBox()]);
    expect(svg!.width).toBeLessThanOrEqual(figure!.width + 0.5); // no sideways scrolling
  });
});

describe('the saga timeline page', () => {
  it('lists a flight’s bookings by reference with the customer’s username and the day placed', async () => {
    const page = await signedIn('ops', PHONE, '/staff/timeline');
    const link = page.getByRole('link', { name: reference });
    await link.waitFor({ timeout: 20_000 });
    const item = page.locator('li').filter({ has: link });
    expect(await item.textContent()).toContain('minji.kim');
    expect(await item.textContent()).toContain(`placed ${formatDate(new Date().toISOString().slice(0, 10))}`);
    await link.click();
    await page.getByRole('heading', { name: `Booking ${reference}` }).waitFor();
    expect(await page.locator('#main').textContent()).toContain('flight ST101');
  });
});

describe('the front page search', () => {
  it('suggests airports by city as the customer types, each by its code', async () => {
    const page = await signedIn('minji.kim', PHONE, '/');
    await page.getByLabel('From').fill('Seoul');
    const incheon = page.locator('#from-airports option[value="ICN"]');
    await incheon.waitFor({ state: 'attached', timeout: 20_000 });
    expect(await incheon.getAttribute('label')).toMatch(/Seoul/);
    await page.getByLabel('To').fill('new york');
    await page.locator('#to-airports option[value="JFK"]').waitFor({ state: 'attached', timeout: 20_000 });
  });
});
