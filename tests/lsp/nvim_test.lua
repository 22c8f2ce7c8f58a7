-- Headless Neovim (Debian's, 0.7 or later) against `platc lsp` on a copy of
-- examples/acme, with Neovim's own LSP client: diagnostics appear and clear
-- as the buffer is edited, hover and definition answer.
--
--   PLATC=build/platc SOURCE_DIR=. nvim --headless --clean -c 'luafile tests/lsp/nvim_test.lua'
local platc = vim.fn.fnamemodify(os.getenv('PLATC') or 'build/platc', ':p')
local source = vim.fn.fnamemodify(os.getenv('SOURCE_DIR') or '.', ':p')
local failures, passes = 0, 0

local function finish()
  io.stderr:write(string.format('%d passed, %d failed\n', passes, failures))
  vim.cmd(failures == 0 and 'qall!' or 'cquit 1')
end

local function check(name, ok, detail)
  if ok then
    passes = passes + 1
    io.stderr:write('ok - ' .. name .. '\n')
  else
    failures = failures + 1
    io.stderr:write('not ok - ' .. name .. (detail and (': ' .. detail) or '') .. '\n')
  end
  return ok
end

local root = vim.fn.tempname()
vim.fn.mkdir(root, 'p')
vim.fn.system({ 'cp', '-r', source .. '/examples/acme/.', root })
local file = root .. '/fraud/scorer.plat'

-- The setup docs/editors.md tells users to use.
dofile(source .. '/editors/nvim/plat.lua').setup({ cmd = { platc, 'lsp' } })
vim.cmd('edit ' .. file)
local buf = vim.api.nvim_get_current_buf()
check('the buffer has the plat filetype', vim.bo.filetype == 'plat', vim.bo.filetype)
-- A client is listed for the buffer once the server has answered initialize.
vim.wait(15000, function() return next(vim.lsp.buf_get_clients(buf)) ~= nil end, 20)
local client_id = next(vim.lsp.buf_get_clients(buf))
if not check('a client is attached and initialized', client_id ~= nil) then finish() return end
local client = vim.lsp.get_client_by_id(client_id)
check('the client is rooted at the workspace', client.config.root_dir == root, client.config.root_dir)
check('the server offers hover', client.server_capabilities.hoverProvider == true)

-- Find `needle` in the buffer; put the cursor `delta` bytes into it.
local function cursor_at(needle, delta)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then
      vim.api.nvim_win_set_cursor(0, { i, col - 1 + delta })
      return i - 1, col - 1
    end
  end
  error('not found: ' .. needle)
end

local function request(method, params)
  local responses = vim.lsp.buf_request_sync(buf, method, params, 10000)
  local r = responses and responses[client_id]
  return r and r.result, r and r.err
end

-- Hover on the owner's name.
cursor_at('teams.fraud_ml', 8)
local hover = request('textDocument/hover', vim.lsp.util.make_position_params())
local text = hover and hover.contents and hover.contents.value or ''
check('hover shows the team and its doc', text:find('team acme.teams.fraud_ml', 1, true) ~= nil
  and text:find('Fraud detection models', 1, true) ~= nil, text)

-- Definition: the team in teams/teams.plat.
local def = request('textDocument/definition', vim.lsp.util.make_position_params())
local loc = def and (def.uri and def or def[1])
check('definition goes to the team', loc ~= nil and loc.uri == vim.uri_from_fname(root .. '/teams/teams.plat')
  and loc.range.start.line == 17, vim.inspect(def))

-- Break the reference in the buffer: Neovim sends an incremental change.
local line, col = cursor_at('teams.fraud_ml', 0)
vim.api.nvim_buf_set_text(buf, line, col + #'teams.fraud_ml', line, col + #'teams.fraud_ml', { 'l' })
local got = vim.wait(15000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == 'P0205' then return true end
  end
  return false
end, 20)
local diags = vim.diagnostic.get(buf)
check('a diagnostic appears on the broken reference', got and #diags == 1 and diags[1].lnum == line
  and diags[1].message == 'no declaration named `teams.fraud_mll`', vim.inspect(diags))

-- Fix it again: the diagnostic clears.
vim.api.nvim_buf_set_text(buf, line, col + #'teams.fraud_ml', line, col + #'teams.fraud_ml' + 1, { '' })
check('the diagnostic clears when fixed', vim.wait(15000, function()
  return #vim.diagnostic.get(buf) == 0
end, 20))

vim.lsp.stop_client(client_id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
vim.fn.delete(root, 'rf')
finish()
