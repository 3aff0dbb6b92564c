-- A step run ahead of a sleep is journaled without its resume time (the worker did not know it): the
-- entry's JSON object text gets `"t":<now>` as its last member (text, so its values stay as the worker
-- encoded them).
local function with_resume_time(entry, now)
  return string.sub(entry, 1, -2) .. ',"' .. J.resumedAt .. '":' .. now .. '}'
end
