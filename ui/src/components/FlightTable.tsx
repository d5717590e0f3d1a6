// The flights as a table, one markup for customers (search results, with Book) and staff (all flights,
// with capacity, status and Cancel): flight, route, departure at the origin's clocks, fare in its currency.
import type { ReactNode } from 'react';
import { formatDeparture, formatMoney } from '../format';
import type { Flight } from '../types';

export interface FlightTableProps {
  flights: Flight[];
  /** The button of a row (Book, Cancel flight), under a visually hidden "Action" heading. */
  action: (flight: Flight) => ReactNode;
  /** Staff: seats left out of capacity, and a status column; customers: seats left, "Cancelled" in their place. */
  staff?: boolean;
  selectedId?: number | null;
  /** The id of the heading that names the table. */
  labelledBy?: string;
}

export function FlightTable({ flights, action, staff = false, selectedId = null, labelledBy }: FlightTableProps) {
  return (
    <table className="responsive" aria-labelledby={labelledBy}>
      <thead>
        <tr>
          <th scope="col">Flight</th>
          <th scope="col">Route</th>
          <th scope="col">Departure</th>
          <th scope="col" className="num">
            Fare
          </th>
          <th scope="col" className="num">
            Seats left
          </th>
          {staff ? <th scope="col">Status</th> : null}
          <th scope="col">
            <span className="visually-hidden">Action</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {flights.map((f) => (
          <tr key={f.id} data-flight-code={f.flightCode} className={f.id === selectedId ? 'selected' : undefined}>
            <th scope="row" data-label="Flight">
              {f.flightCode}
            </th>
            <td data-label="Route">{f.origin ? `${f.origin} → ${f.destination}` : '—'}</td>
            <td data-label="Departure" className="date">
              {formatDeparture(f)}
            </td>
            <td data-label="Fare" className="num">
              {formatMoney(f.cost, f.currency)}
            </td>
            <td data-label="Seats left" className="num" data-testid="seats-left">
              {staff ? (
                `${f.remainingSeatsCount} / ${f.capacity}`
              ) : f.status === 'CANCELLED' ? (
                <span className="badge badge-canceled">Cancelled</span>
              ) : (
                f.remainingSeatsCount
              )}
            </td>
            {staff ? (
              <td data-label="Status">
                <span className={`badge ${f.status === 'CANCELLED' ? 'badge-canceled' : 'badge-confirmed'}`}>
                  {f.status === 'CANCELLED' ? 'Cancelled' : 'Scheduled'}
                </span>
              </td>
            ) : null}
            <td className="actions-cell">{action(f)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
