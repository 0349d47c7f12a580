// `wxplat events trigger release-check --forward-to URL`: WeChat's release check (全网发布接入检测),
// rehearsed against a running receiver before WeChat runs it for real. This plays WeChat's side with the
// sandbox as WeChat's API (WXPLAT_API_BASE): the sandbox authorizes its test account and has a tester
// write to it, then each case is pushed, sealed as WeChat seals it, and its answer judged as WeChat
// judges it. The last case looks at the sandbox for the customer-service message the receiver must send.
import { randomInt } from 'node:crypto';
import { FailedError } from '../../errors.js';
import { parseFlatXml } from '../../wechat/xml.js';
import { QUERY_AUTH_CODE_PREFIX, TEST_TEXT } from './release-check.js';
import { openReply, sealPush } from './trigger.js';

export interface RehearsalInput {
  forwardTo: string;
  /** The sandbox (WXPLAT_API_BASE). */
  apiBase: string;
  component: { appid: string; token: string; encodingAesKey: string };
  now: () => Date;
}

export interface RehearsalCase {
  name: 'ticket' | 'event' | 'text' | 'api';
  /** What WeChat sends, in a few words. */
  sends: string;
  /** What WeChat expects. */
  expects: string;
  pass: boolean;
  /** What happened. */
  detail: string;
  ms: number;
}

export interface RehearsalResult {
  target: string;
  account: { appid: string; userName: string };
  passed: boolean;
  cases: RehearsalCase[];
}

/** WeChat's limit for an answer. */
const ANSWER_MS = 5_000;
/** How long the customer-service message may take after the empty answer. */
const CUSTOM_MESSAGE_MS = 15_000;

interface Setup {
  appid: string;
  userName: string;
  openid: string;
  authCode: string;
}

async function control<T>(apiBase: string, path: string, method: 'GET' | 'POST'): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${apiBase.replace(/\/+$/, '')}${path}`, { method, signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new FailedError(`cannot reach the sandbox at ${apiBase} (${cause})`, 'the rehearsal plays WeChat with `wxplat sandbox`: start it, and point WXPLAT_API_BASE at it');
  }
  const notSandbox = (why: string) =>
    new FailedError(`${apiBase} is not the sandbox (${path} ${why})`, 'the rehearsal plays WeChat with `wxplat sandbox`: point WXPLAT_API_BASE at it');
  if (!res.ok) throw notSandbox(`answered ${res.status}`);
  try {
    return (await res.json()) as T;
  } catch {
    throw notSandbox('answered no JSON');
  }
}

async function post(url: string, body: string): Promise<{ status: number | null; text: string; error: string | null; ms: number }> {
  const started = performance.now();
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body, signal: AbortSignal.timeout(ANSWER_MS) });
    const text = (await res.text()).slice(0, 64 * 1024);
    return { status: res.status, text, error: null, ms: Math.round(performance.now() - started) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const error = e.name === 'TimeoutError' ? `no answer within ${ANSWER_MS / 1000} s` : (e.cause?.code ?? e.message);
    return { status: null, text: '', error, ms: Math.round(performance.now() - started) };
  }
}

export async function rehearseReleaseCheck(input: RehearsalInput): Promise<RehearsalResult> {
  const setup = await control<Setup>(input.apiBase, '/sandbox/release-check', 'POST');
  const c = input.component;
  const seconds = () => String(Math.floor(input.now().getTime() / 1000));
  const push = (event: Record<string, string>, route: string, appid: string | null, openid?: string) =>
    sealPush({ event, route, appid, openid, forwardTo: input.forwardTo, component: c, timestamp: seconds() });
  const accountPush = (fields: Record<string, string>) =>
    push({ ToUserName: setup.userName, FromUserName: setup.openid, CreateTime: seconds(), ...fields }, `/wechat/accounts/${setup.appid}`, setup.appid, setup.openid);
  const cases: RehearsalCase[] = [];
  const judge = (
    name: RehearsalCase['name'],
    sends: string,
    expects: string,
    answer: Awaited<ReturnType<typeof post>>,
    ok: (text: string, reply: string | null) => string | null,
  ) => {
    let detail: string;
    let pass = false;
    if (answer.status === null) detail = answer.error ?? 'no answer';
    else if (answer.status !== 200) detail = `HTTP ${answer.status}: ${answer.text.trim().slice(0, 120)}`;
    else {
      const reply = openReply(answer.text, c);
      const problem = ok(answer.text, reply);
      pass = problem === null && answer.ms <= ANSWER_MS;
      detail = problem ?? (answer.ms > ANSWER_MS ? `answered after ${answer.ms} ms` : `answered in ${answer.ms} ms`);
    }
    cases.push({ name, sends, expects, pass, detail, ms: answer.ms });
  };
  const replyContent = (reply: string | null): string | null => (reply ? (parseFlatXml(reply).Content ?? null) : null);

  // 1. A ticket: the sandbox's own, so that the receiver's stored ticket stays a good one.
  const { ticket } = await control<{ ticket: string }>(input.apiBase, '/sandbox/tickets', 'POST');
  const ticketPush = push({ AppId: c.appid, CreateTime: seconds(), InfoType: 'component_verify_ticket', ComponentVerifyTicket: ticket }, '/wechat/component', null);
  judge('ticket', 'component_verify_ticket', 'success', await post(ticketPush.url, ticketPush.body), (text) =>
    text.trim() === 'success' ? null : `answered ${JSON.stringify(text.slice(0, 60))}, not success`,
  );

  // 2. An event: the text `<Event>from_callback` as the passive reply.
  const event = 'LOCATION';
  const eventPush = accountPush({ MsgType: 'event', Event: event, Latitude: '23.137466', Longitude: '113.352425', Precision: '119.385040' });
  judge('event', `a ${event} event`, `the passive reply "${event}from_callback"`, await post(eventPush.url, eventPush.body), (_text, reply) => {
    const got = replyContent(reply);
    return got === `${event}from_callback` ? null : reply ? `the reply says ${JSON.stringify(got)}` : 'no passive reply';
  });

  // 3. The test text: `TESTCOMPONENT_MSG_TYPE_TEXT_callback` as the passive reply.
  const textPush = accountPush({ MsgType: 'text', Content: TEST_TEXT, MsgId: String(randomInt(1, 2 ** 47)) });
  judge('text', TEST_TEXT, `the passive reply "${TEST_TEXT}_callback"`, await post(textPush.url, textPush.body), (_text, reply) => {
    const got = replyContent(reply);
    return got === `${TEST_TEXT}_callback` ? null : reply ? `the reply says ${JSON.stringify(got)}` : 'no passive reply';
  });

  // 4. QUERY_AUTH_CODE: an empty answer, then the customer-service text `<code>_from_api`.
  const apiPush = accountPush({ MsgType: 'text', Content: `${QUERY_AUTH_CODE_PREFIX}${setup.authCode}`, MsgId: String(randomInt(1, 2 ** 47)) });
  const expected = `${setup.authCode}_from_api`;
  const answer = await post(apiPush.url, apiPush.body);
  judge('api', 'QUERY_AUTH_CODE:<code>', 'an empty answer, then the customer-service text "<code>_from_api"', answer, (text) =>
    text === '' ? null : `answered ${JSON.stringify(text.slice(0, 60))}, not an empty string`,
  );
  const apiCase = cases.at(-1)!;
  if (apiCase.pass) {
    const until = Date.now() + CUSTOM_MESSAGE_MS;
    let found = false;
    while (!found && Date.now() < until) {
      const messages = await control<Array<{ touser: string; content: string | null }>>(input.apiBase, `/sandbox/custom-messages?appid=${setup.appid}`, 'GET');
      found = messages.some((m) => m.touser === setup.openid && m.content === expected);
      if (!found) await new Promise((r) => setTimeout(r, 200));
    }
    if (!found) {
      apiCase.pass = false;
      apiCase.detail = `answered empty, but no customer-service text "<code>_from_api" reached the tester within ${CUSTOM_MESSAGE_MS / 1000} s`;
    } else apiCase.detail = `${apiCase.detail}; the customer-service text arrived`;
  }
  return {
    target: new URL(input.forwardTo).origin,
    account: { appid: setup.appid, userName: setup.userName },
    passed: cases.every((x) => x.pass),
    cases,
  };
}
