SELECT id, v || '!', concat(v, '?', id), concat_ws('-', v, 'x') FROM s
