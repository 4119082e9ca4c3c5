import { TOKEN_STORAGE_KEY } from '../api';

/** Sets or clears `localStorage.apiToken`, which every API request then carries as a bearer token. */
export function ApiTokenButton() {
  const hasToken = Boolean(localStorage.getItem(TOKEN_STORAGE_KEY));
  const edit = () => {
    const entered = window.prompt('API token (empty to clear):', localStorage.getItem(TOKEN_STORAGE_KEY) ?? '');
    if (entered === null) return;
    if (entered.trim()) localStorage.setItem(TOKEN_STORAGE_KEY, entered.trim());
    else localStorage.removeItem(TOKEN_STORAGE_KEY);
    window.location.reload(); // everything loaded so far was asked for with the old token
  };
  return (
    <button type="button" className="token-button" onClick={edit} title="Sent as Authorization: Bearer on every request">
      API token: {hasToken ? 'set' : 'none'}
    </button>
  );
}
