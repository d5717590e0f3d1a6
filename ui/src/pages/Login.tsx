import { useState, type FormEvent } from 'react';
import { useAuth } from '../auth';
import { useTitle } from '../hooks';
import { ErrorNote, Field, fieldError, formError } from '../components/ui';

export function Login() {
  useTitle('Sign in');
  const { login, notice } = useAuth();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <main id="main" className="login">
      <div className="login-card card">
        <p className="brand-large" aria-hidden="true">
          ✈ Airline
        </p>
        <h1>Sign in</h1>
        <p className="muted">Customers book and follow their flights; airline staff manage flights and watch the operation.</p>
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        <form onSubmit={submit} noValidate>
          <Field
            label="Username"
            name="username"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            error={fieldError(error, 'username')}
            autoFocus
          />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fieldError(error, 'password')}
          />
          <ErrorNote error={formError(error, ['username', 'password'])} />
          <button type="submit" disabled={busy || !username || !password}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p className="hint">
          The demo users' and the admin's passwords are in demo-users.txt in the server's data directory, written the first time it starts.
        </p>
      </div>
    </main>
  );
}
