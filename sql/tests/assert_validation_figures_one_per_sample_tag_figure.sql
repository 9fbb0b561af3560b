-- validation_figures: one row per sample × tag × figure, and an interval only around a value
select sample_id, tag, figure, 'duplicate' as problem
from validation_figures group by sample_id, tag, figure having count(*) > 1
union all
select sample_id, tag, figure, 'interval without value' from validation_figures where value is null and low is not null
union all
select sample_id, tag, figure, 'value outside its interval' from validation_figures
where low is not null and (value < low - 1e-9 or value > high + 1e-9)
