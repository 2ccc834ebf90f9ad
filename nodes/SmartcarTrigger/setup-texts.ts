/**
 * What the Smartcar Trigger tells builders in the editor, and what its publish check says, in the one order that
 * works: Smartcar sends its VERIFY request the moment a webhook is saved in the Smartcar Dashboard, and the trigger's
 * Production URL answers only once the workflow is published. So: publish first, then add the webhook in the
 * Dashboard, then subscribe vehicles. n8n 2.x calls it Publish, n8n 1.x Active; n8n 2.x reads the public base URL
 * from N8N_WEBHOOK_URL (WEBHOOK_URL is deprecated there), n8n 1.x from WEBHOOK_URL.
 */

/** Publish, named for both n8n majors. */
export const PUBLISH = '<b>Publish</b> (<b>Active</b> on n8n 1.x)';

/** The public-URL variable, named for both n8n majors (plain text: errors and the log show no HTML). */
export const PUBLIC_URL_VARIABLE = 'N8N_WEBHOOK_URL (WEBHOOK_URL on n8n 1.x)';

/** Vehicle Events, steps 1 and 2: publish, then add the webhook in the Dashboard. */
export const VEHICLE_EVENTS_NOTICE =
	`1. ${PUBLISH} this workflow: its <b>Production URL</b> above answers only once it is published. ` +
	'2. Then add a webhook with that URL as its callback URL in the Smartcar Dashboard → Webhooks: Smartcar sends a VERIFY request the moment you save it, and this trigger answers it. ' +
	`Smartcar needs a public HTTPS address: behind a reverse proxy or tunnel, set ${PUBLIC_URL_VARIABLE} to your public URL. ` +
	'The Test URL listens only while you click "Listen for test event".';

/** Vehicle Events, step 3: subscribe vehicles. */
export const SUBSCRIPTION_NOTICE =
	'3. Smartcar sends events only for vehicles <b>subscribed</b> to the webhook: turn on Auto-Subscribe for the webhook in the Smartcar Dashboard, or subscribe each vehicle with the <b>Smartcar</b> node → <b>Subscription</b> → <b>Subscribe</b> (for example in the workflow that receives the Connect redirect).';

/** Connect Redirect: where the Production URL goes, and that it answers once published. */
export const CONNECT_REDIRECT_NOTICE =
	`${PUBLISH} this workflow so its <b>Production URL</b> above answers, and use that URL as a Redirect URI in the Smartcar Dashboard and in Connect → Get Authorization URL. ` +
	'Select the <b>same Smartcar credential</b> there and here: its links carry a signed state that only that credential can check. The driver\'s user ID arrives here as <code>userId</code>, your State value as <code>state</code>.';

/** Versions 1 and 2, beside Check State when it is Expected Value Only: that check needs Options → Expected State. */
export const EXPECTED_STATE_NOTICE =
	'Expected Value Only compares the redirect\'s State with <b>Expected State</b>: add it below under <b>Options</b> → <b>Expected State</b>. Until it is set, every redirect is refused with a "not set up" page.';

/** Version 3's Expected State under Check State: Expected Value Only. */
export const EXPECTED_STATE_REQUIRED_DESCRIPTION =
	'The State value your Connect links carry (the <code>state</code> parameter of a link built outside n8n, or the State set in Get Authorization URL). A redirect with any other State gets an error page and starts nothing.';

/** Version 3's Expected State under Check State: Signed. */
export const EXPECTED_STATE_OPTIONAL_DESCRIPTION =
	'Optional: accept only links whose State value (the one set in Get Authorization URL, not the signed text in the link) equals this. Others get an error page and start nothing.';

/** Options → Check Smartcar Webhook on Publish. */
export const CHECK_ON_PUBLISH_DESCRIPTION =
	'Whether publishing asks Smartcar for an enabled webhook whose callback URI is exactly this trigger\'s Production URL. ' +
	'The first publish is never blocked (Smartcar can verify the webhook only once the workflow is published): the trigger goes live, and when Smartcar has no such webhook yet, n8n\'s log says to add it. ' +
	'Publishing again (a changed trigger; on n8n 1.x, saving the active workflow) fails with what to fix when the webhook is missing or disabled. Not checked for the Test URL or when n8n restarts.';
