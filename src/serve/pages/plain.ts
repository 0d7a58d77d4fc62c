/** Small pages: not found, could not be shown, sign in. */
import { esc, type PageBody } from "../html.ts";

export function messagePage(title: string, message: string): PageBody {
  return {
    title: `tollgate: ${title}`,
    main: `<h1>${esc(title)}</h1><p data-message>${esc(message)}</p><p><a href="/">Back to the overview</a></p>`,
  };
}

export function loginPage(next: string, failed: boolean): PageBody {
  return {
    title: "tollgate: sign in",
    main: [
      "<h1>Sign in</h1>",
      `<p>This dashboard asks for its access token (set where it runs, in <code>TOLLGATE_DASHBOARD_TOKEN</code>).</p>`,
      failed ? `<p class="notice" role="alert">That token is not right.</p>` : "",
      `<form method="post" action="/login" class="filters"><input type="hidden" name="next" value="${esc(next)}">`,
      `<label>Token <input type="password" name="token" autocomplete="current-password" required></label>`,
      `<button type="submit">Sign in</button></form>`,
    ].join(""),
  };
}
