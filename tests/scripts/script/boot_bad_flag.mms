boot zero_page=maybe
