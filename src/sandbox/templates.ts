// An account's template-message setup, /cgi-bin/template/* (wechat-api.md §4.1-4.5): its two industries
// (changeable once a calendar month; a change deletes the templates of the industries it leaves), and
// up to 25 private templates added from the library.
import { ApiError, OK_BODY } from './errors.js';
import { industryName, parseIndustryCode } from './industries.js';
import { isHistoricalId, templateContent, templateExample, type LibraryKeyword } from './library.js';
import { jsonBody, json, type Route, type Sim } from './routes.js';
import { MAX_TEMPLATES, type Account } from './state.js';
import { SandboxTime } from './time.js';

export function templateRoutes(sim: Sim): Record<string, Route> {
  const { world } = sim;

  return {
    'cgi-bin/template/api_set_industry': {
      method: 'POST',
      auth: 'account',
      needs: 'template',
      handle(req, account) {
        let body: Record<string, unknown>;
        try {
          body = jsonBody(req);
        } catch {
          // WeChat's answer to a body that is not JSON (e.g. form-encoded): fixture 40103_invalid_industry_index.
          throw new ApiError(40103);
        }
        const primary = parseIndustryCode(body.industry_id1);
        const secondary = parseIndustryCode(body.industry_id2);
        if (primary === undefined || secondary === undefined || primary === secondary) throw new ApiError(40102);
        const current = account.industry;
        if (current && current.primary === primary && current.secondary === secondary) return OK_BODY;
        const month = SandboxTime.month(world.time.now());
        if (current && current.changedMonth === month) throw new ApiError(43100);
        account.industry = { primary, secondary, changedMonth: month };
        for (const [id, t] of account.templates) {
          if (t.industryCode !== primary && t.industryCode !== secondary) account.templates.delete(id);
        }
        return OK_BODY;
      },
    },

    'cgi-bin/template/get_industry': {
      method: 'GET',
      auth: 'account',
      needs: 'template',
      handle(_req, account) {
        // Before any industry is set, WeChat answers 40102 here.
        if (!account.industry) throw new ApiError(40102);
        return json({
          primary_industry: industryName(account.industry.primary),
          secondary_industry: industryName(account.industry.secondary),
        });
      },
    },

    'cgi-bin/template/api_add_template': {
      method: 'POST',
      auth: 'account',
      needs: 'template',
      handle(req, account) {
        const body = jsonBody(req);
        const raw = body.template_id_short;
        const shortId = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
        if (isHistoricalId(shortId)) throw new ApiError(40247);
        const entry = world.library.get(shortId);
        // Not in the library: its keywords cannot be in the library either.
        if (!entry) throw new ApiError(40246);
        if (!account.industry || (account.industry.primary !== entry.industryCode && account.industry.secondary !== entry.industryCode)) {
          throw new ApiError(40248);
        }
        const keywords = chooseKeywords(entry.keywords, body.keyword_name_list);
        const keys = keywords.map((k) => k.key).join(',');
        for (const t of account.templates.values()) {
          // The same template with the same keywords again: the one already added.
          if (t.shortId === shortId && t.keywords.map((k) => k.key).join(',') === keys) {
            return json({ errcode: 0, errmsg: 'ok', template_id: t.templateId });
          }
        }
        if (account.templates.size >= MAX_TEMPLATES) throw new ApiError(45026);
        const templateId = newTemplateId(sim, account);
        account.templates.set(templateId, {
          templateId,
          shortId,
          title: entry.title,
          industryCode: entry.industryCode,
          keywords,
          content: templateContent(keywords),
          example: templateExample(keywords),
        });
        return json({ errcode: 0, errmsg: 'ok', template_id: templateId });
      },
    },

    'cgi-bin/template/get_all_private_template': {
      method: 'GET',
      auth: 'account',
      needs: 'template',
      handle(_req, account) {
        return json({
          template_list: [...account.templates.values()].map((t) => {
            const industry = industryName(t.industryCode);
            return {
              template_id: t.templateId,
              title: t.title,
              primary_industry: industry.first_class,
              deputy_industry: industry.second_class,
              content: t.content,
              example: t.example,
            };
          }),
        });
      },
    },

    'cgi-bin/template/del_private_template': {
      method: 'POST',
      auth: 'account',
      needs: 'template',
      handle(req, account) {
        const id = jsonBody(req).template_id;
        if (typeof id !== 'string' || !account.templates.delete(id)) throw new ApiError(40037);
        return OK_BODY;
      },
    },
  };
}

/** `keyword_name_list`: names of the library template's keywords, in the library's order, each once. */
function chooseKeywords(library: readonly LibraryKeyword[], names: unknown): LibraryKeyword[] {
  if (!Array.isArray(names) || names.length === 0) throw new ApiError(40246);
  const chosen: LibraryKeyword[] = [];
  let next = 0;
  for (const name of names) {
    let at = next;
    while (at < library.length && library[at].name !== name) at++;
    if (at >= library.length) throw new ApiError(40246);
    chosen.push(library[at]);
    next = at + 1;
  }
  return chosen;
}

/** 43 characters like WeChat's (e.g. Doclyl5uP7Aciu-qZ7mJNPtWkbkYnWBWVja26EGbNyk), unique in the sandbox. */
function newTemplateId(sim: Sim, account: Account): string {
  for (;;) {
    const id = sim.world.random.urlSafe(43);
    if (!account.templates.has(id)) return id;
  }
}
