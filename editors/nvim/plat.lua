-- Plat in Neovim (0.7 or later): `.plat` files get the `plat` filetype and
-- are attached to `platc lsp`, one server per workspace (the folder holding
-- workspace.plat). docs/editors.md explains the setup; tests/lsp/nvim_test.lua
-- runs it headless.
--
--   -- ~/.config/nvim/init.lua, with this file as ~/.config/nvim/lua/plat.lua
--   require('plat').setup()                          -- `platc` on the PATH
--   require('plat').setup({ cmd = { '/path/to/platc', 'lsp' } })
local M = {}

function M.setup(opts)
  opts = opts or {}
  local cmd = opts.cmd or { 'platc', 'lsp' }
  vim.cmd([[
    augroup plat_filetype
      autocmd!
      autocmd BufRead,BufNewFile *.plat setfiletype plat
    augroup END
  ]])
  local clients = {} -- workspace root -> client id
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'plat',
    callback = function(args)
      local dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(args.buf), ':p:h')
      local marker = vim.fn.findfile('workspace.plat', dir .. ';')
      local root = marker ~= '' and vim.fn.fnamemodify(marker, ':p:h') or dir
      local id = clients[root]
      if id == nil or vim.lsp.get_client_by_id(id) == nil then
        id = vim.lsp.start_client({ name = 'platc', cmd = cmd, root_dir = root })
        clients[root] = id
      end
      if id then
        vim.lsp.buf_attach_client(args.buf, id)
        if opts.on_attach then
          opts.on_attach(vim.lsp.get_client_by_id(id), args.buf)
        end
      end
    end,
  })
  return M
end

return M
